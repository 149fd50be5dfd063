// `fedigate <command>`: parses the command line (node:util parseArgs), finds the gateway and the
// token, runs one admin command and turns the outcome into output and an exit code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs, parseEnv } from 'node:util';
import { QUEUE_NAMES } from '../../config/queues';
import { AdminApiError, adminClient } from './admin-client';
import { COMMANDS, type Command, UsageError } from './commands';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

export const DEFAULT_URL = 'http://localhost:8080';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

const GLOBAL_OPTIONS: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const ALL_OPTIONS: Options = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {}));

const commandLine = (c: Command) => `fedigate ${[...c.words, c.synopsis].filter(Boolean).join(' ')}`;

export function usage(): string {
  const lines = COMMANDS.map((c) => [commandLine(c).slice('fedigate '.length), c.summary] as const);
  const width = Math.max(...lines.map(([l]) => l.length));
  return [
    'usage: fedigate [all|gateway|worker]   start the service (default: all)',
    '       fedigate <command> [options]    ask a running gateway (its admin API)',
    '',
    'commands:',
    ...lines.map(([l, s]) => `  ${l.padEnd(width)}  ${s}`),
    '',
    'options:',
    `  --url URL      the gateway (default: $FEDIGATE_URL, else ${DEFAULT_URL})`,
    '  --token TOKEN  the admin token (default: $ADMIN_TOKEN; the variable keeps it out of ps)',
    '  --json         the API\'s JSON on stdout; on errors, its problem+json document',
    '  -h, --help     this help',
    '',
    `queues: ${Object.keys(QUEUE_NAMES).join(', ')}`,
    'FEDIGATE_URL and ADMIN_TOKEN are also read from ./.env when not set.',
    'exit codes: 0 done, 1 refused or not all done (the problem is printed), 2 bad usage, 3 gateway unreachable',
  ].join('\n');
}

/** The command whose words open the positionals, and the arguments after them. */
function findCommand(positionals: string[]): { command: Command; args: string[] } | undefined {
  const command = COMMANDS.find((c) => c.words.every((w, i) => positionals[i] === w));
  return command && { command, args: positionals.slice(command.words.length) };
}

function parse(argv: string[], options: Options): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (e) {
    // parseArgs explains unknown options at length; the option is what matters.
    const unknown = /Unknown option '([^']+)'/.exec((e as Error).message);
    // Job ids may start with '-' (they are base64url): those go after `--`.
    throw new UsageError(unknown ? `unknown option ${unknown[1]} (an argument starting with - goes after --)` : (e as Error).message);
  }
}

function settings(values: Values, io: CliIo) {
  const file = join(io.cwd, '.env');
  const dotenv = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  const url = String(values.url ?? io.env.FEDIGATE_URL ?? dotenv.FEDIGATE_URL ?? DEFAULT_URL);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--url: not an http(s) URL: ${url}`);
  const token = values.token ?? io.env.ADMIN_TOKEN ?? dotenv.ADMIN_TOKEN;
  if (typeof token !== 'string' || !token) throw new UsageError('no admin token: set ADMIN_TOKEN or pass --token');
  return { url, token };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: Command | undefined;
  let json = false;
  try {
    const first = parse(argv, ALL_OPTIONS);
    json = first.values.json === true;
    const positionals = first.positionals[0] === 'help' ? first.positionals.slice(1) : first.positionals;
    const found = findCommand(positionals);
    if (!found) {
      if (positionals.length === 0 && (first.values.help || first.positionals[0] === 'help')) {
        io.stdout(`${usage()}\n`);
        return EXIT.ok;
      }
      throw new UsageError(positionals.length ? `unknown command: ${positionals.join(' ')}` : 'no command given');
    }
    command = found.command;
    if (first.values.help || first.positionals[0] === 'help') {
      io.stdout(`usage: ${commandLine(command)} [--url URL] [--token TOKEN] [--json]\n  ${command.summary}\n`);
      return EXIT.ok;
    }
    // Again with only this command's options: `fedigate queues --all` is a mistake, not ignored.
    const { values } = parse(argv, { ...GLOBAL_OPTIONS, ...command.options });
    const { args } = found;
    if (args.length < command.args.min) throw new UsageError(`missing argument: ${command.synopsis}`);
    if (args.length > command.args.max) throw new UsageError(`unexpected argument: ${args[command.args.max]}`);
    const { url, token } = settings(values, io);
    const outcome = await command.run({ api: adminClient(url, token), args, values });
    io.stdout(json ? `${JSON.stringify(outcome.json, null, 2)}\n` : `${outcome.text}\n`);
    return outcome.exitCode ?? EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`fedigate: ${e.message}\n${command ? `usage: ${commandLine(command)}` : 'see fedigate --help'}\n`);
      return EXIT.usage;
    }
    if (e instanceof AdminApiError) {
      if (json) io.stdout(`${JSON.stringify(e.problem, null, 2)}\n`);
      io.stderr(`fedigate: ${e.message}\n`);
      return e.unreachable ? EXIT.unreachable : EXIT.refused;
    }
    throw e;
  }
}
