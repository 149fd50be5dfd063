#!/usr/bin/env node
// `npx fedigate [all|gateway|worker]` starts the service (the same entry as npm start);
// `npx fedigate <command>` asks a running gateway's admin API (services/cli, `--help`).
const SERVICE_MODES = ['all', 'gateway', 'worker'];

const first = process.argv[2];
if (first === undefined || SERVICE_MODES.includes(first)) {
  void import('../services/main');
} else {
  // Loaded only here: the CLI needs no Redis, configuration or secrets of the service.
  void import('../services/cli/run').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv.slice(2), {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      cwd: process.cwd(),
    });
  }).catch((err: unknown) => {
    process.stderr.write(`fedigate: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}

export {};
