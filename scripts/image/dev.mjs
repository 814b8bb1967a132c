// The `dev` image's entry point (Dockerfile target `dev`, used by skaffold's dev profile):
// TypeScript in watch mode for the deployable's workspace (and the projects it references), and
// the deployable itself under `node --watch`, so a source file synced into the container is
// recompiled and the process restarts on the new output. SIGTERM stops both.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

const workspace = process.env.NOVA_DEV_WORKSPACE;
if (workspace === undefined || workspace === '') {
  process.stderr.write('NOVA_DEV_WORKSPACE is not set (the Dockerfile sets it from --build-arg WORKSPACE)\n');
  process.exit(2);
}
const entry = `${workspace}/dist/main.js`;
if (!existsSync(entry)) {
  process.stderr.write(`${entry} does not exist: the dev image is built from the build stage, which compiles every workspace\n`);
  process.exit(2);
}

const children = [
  spawn('node_modules/.bin/tsc', ['-b', '--watch', '--preserveWatchOutput', workspace], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch', entry], { stdio: 'inherit' }),
];
let stopping = false;
for (const child of children) {
  child.on('exit', (code) => {
    if (stopping) return;
    // One side died on its own: stop the other so the container restarts as a whole.
    stopping = true;
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exitCode = code ?? 1;
  });
}
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children) child.kill(signal);
  });
}
