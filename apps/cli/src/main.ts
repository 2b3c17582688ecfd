import { readFileSync } from 'node:fs';
import { DETECT_USAGE, runDetectCommand } from './detect.command';
import { DRIFT_USAGE, runDriftCommand } from './drift.command';

const USAGE = `Usage: vigil <command> [options]

Commands:
  drift    compare a current data set with a reference, column by column (vigil drift --help)
  detect   replay a stream through an online change detector (vigil detect --help)
`;

const io = {
  stdout: (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  stderr: (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
  readFile: (path: string) => readFileSync(path, 'utf8'),
  readStdin: () => readFileSync(0, 'utf8'),
};

function printUsage(usage: string): number {
  io.stdout(usage);
  return 0;
}

/** Dispatches `vigil <command>`; returns the process exit code. */
export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'drift':
      return rest.includes('--help') ? printUsage(DRIFT_USAGE) : runDriftCommand(rest, io);
    case 'detect':
      return rest.includes('--help') ? printUsage(DETECT_USAGE) : runDetectCommand(rest, io);
    case undefined:
    case '--help':
    case 'help':
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`vigil: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
