/**
 * `npm run load -- --target <url> [...]`: a thin shell over runLoad. Ctrl-C once stops the
 * engine and still writes what was measured; twice exits at once.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HELP, parseCliArgs } from './cli-args.js';
import { isLoadError } from './errors.js';
import { createProgressPrinter, renderSummaryTable } from './progress.js';
import { convertRaw, runLoad } from './runner.js';
import { parseLoadSummary } from './summary-schema.js';

async function main(): Promise<number> {
  const request = parseCliArgs(process.argv.slice(2));
  if (request.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (request.show !== null) {
    const file = path.resolve(process.cwd(), request.show);
    const summary = parseLoadSummary(JSON.parse(await readFile(file, 'utf8')), file);
    process.stdout.write(`${request.json ? JSON.stringify(summary, null, 2) : renderSummaryTable(summary)}\n`);
    return 0;
  }
  if (request.convert !== null) {
    const file = path.resolve(process.cwd(), request.convert);
    const { summary, summaryPath } = await convertRaw(file);
    process.stdout.write(`${request.json ? JSON.stringify(summary, null, 2) : renderSummaryTable(summary)}\nsummary: ${summaryPath}\n`);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nstopping: the engine writes what it measured (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  // SIGTERM too: a killed shell would otherwise leave the engine running to the end of its plan
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const print = createProgressPrinter({ write: (t) => process.stderr.write(t), tty: Boolean(process.stderr.isTTY) });
  const result = await runLoad(request.options!, { signal: controller.signal, onEvent: print });
  if (request.json) process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isLoadError(err)) {
      process.stderr.write(`${err.format()}\n`);
      process.exit(err.code === 'LOAD_ERR_BAD_OPTION' ? 2 : 1);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
