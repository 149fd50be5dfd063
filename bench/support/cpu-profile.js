'use strict';
// Preload that CPU-profiles a gateway process a bench starts, written at exit as
// <BENCH_PROFILE_DIR or /tmp>/gateway-<pid>.cpuprofile (open in Chrome DevTools or speedscope):
//   BENCH_NODE_OPTIONS="--require $PWD/bench/support/cpu-profile.js" npm run bench:inbound
// (--cpu-prof is not allowed in NODE_OPTIONS.)
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // The in-thread session answers synchronously, so this runs before the process is gone.
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(join(process.env.BENCH_PROFILE_DIR || '/tmp', `gateway-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
