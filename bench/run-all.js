'use strict';
// npm run bench: every benchmark, each printing its baseline beside it.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
run(['bench/signatures.js']);
run(['-r', '@swc-node/register', 'bench/verify.ts']);
run(['-r', '@swc-node/register', 'bench/raw-sign-windows.ts']);
run(['--expose-gc', '-r', '@swc-node/register', 'bench/fanout.ts']);
run(['-r', '@swc-node/register', 'bench/fanout-ceiling.ts']);
run(['-r', '@swc-node/register', 'bench/fanout-layers.ts']);
run(['-r', '@swc-node/register', 'bench/normalize.ts']);
// Each starts its own gateway processes (and peers) on a fresh Redis prefix and removes them.
run(['-r', '@swc-node/register', 'bench/intake.ts']);
run(['-r', '@swc-node/register', 'bench/redis-commands.ts']);
run(['-r', '@swc-node/register', 'bench/inbound.ts']);
run(['-r', '@swc-node/register', 'bench/latency.ts']);
run(['-r', '@swc-node/register', 'bench/fedify.ts']);
