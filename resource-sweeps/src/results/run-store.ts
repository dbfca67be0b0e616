/**
 * The run folder on disk: run.json (the plan and machine), results.jsonl (one finished trial per
 * line, appended and fsynced before the sweep moves on), per-trial raw files, and the rendered
 * summary/reports (written atomically: temp file + rename). A crash can at worst leave a torn
 * last line, which is skipped with a warning; any other bad line is an error naming file,
 * line and key.
 */
import { appendFile, mkdir, open, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatIssues, formatKey, type Issue } from '@rightsize/compose/kit/issues';
import { SweepError } from '../errors.js';
import { TOP_LEVEL } from '../plan/load-plan.js';
import { RunMetaSchema, TrialRecordSchema, type RunMeta, type TrialRecord } from './trial-record.js';

export const RESULTS_FILE = 'results.jsonl';
export const RUN_FILE = 'run.json';

export interface ReadResults {
  records: TrialRecord[];
  /** problems that did not stop the read (a torn last line) */
  warnings: string[];
}

/** Parses results.jsonl text; `file` is only for messages. */
export function parseResults(text: string, file: string): ReadResults {
  const lines = text.split('\n');
  const records: TrialRecord[] = [];
  const warnings: string[] = [];
  const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  for (let i = 0; i <= lastIndex; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lastIndex && !text.endsWith('\n')) {
        warnings.push(`${file}:${i + 1}: skipped a torn last line (the sweep stopped while writing it); that trial will run again`);
        continue;
      }
      throw new SweepError('SWEEP_ERR_RESULTS_INVALID', `line ${i + 1} is not JSON`, { file, key: `line ${i + 1}` });
    }
    const parsed = TrialRecordSchema.safeParse(value);
    if (!parsed.success) {
      throw new SweepError('SWEEP_ERR_RESULTS_INVALID', `line ${i + 1} is not a ${TrialRecordSchema.shape.schema.value} record`, {
        file,
        ...whereInRecord(parsed.error.issues, `line ${i + 1}: `),
        hint: 'the file was edited or written by another version; move the line out to continue',
      });
    }
    records.push(parsed.data);
  }
  return { records, warnings };
}

/** The first bad key (after `prefix`) and the first five problems of a record that does not validate. */
function whereInRecord(issues: readonly Issue[], prefix = ''): { key: string; details: string[] } {
  return { key: `${prefix}${formatKey(issues[0]?.path ?? [], TOP_LEVEL)}`, details: formatIssues(issues, { root: TOP_LEVEL, limit: 5 }) };
}

async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export interface RunStore {
  dir: string;
  /** path inside the run folder */
  resolve(...parts: string[]): string;
  writeMeta(meta: RunMeta): Promise<void>;
  readMeta(): Promise<RunMeta>;
  /** appends one record and fsyncs: once this resolves the trial survives a crash */
  append(record: TrialRecord): Promise<void>;
  read(): Promise<ReadResults>;
  /**
   * Before appending to an interrupted run: cuts a torn last line off results.jsonl (keeping it
   * in results.jsonl.torn), so new lines never follow half a line. Returns whether it cut.
   */
  repairTornTail(): Promise<boolean>;
  /** writes a file in the run folder atomically; returns its path */
  writeFile(relative: string, content: string): Promise<string>;
}

export function createRunStore(options: { dir: string }): RunStore {
  const dir = path.resolve(options.dir);
  const resultsFile = path.join(dir, RESULTS_FILE);
  const metaFile = path.join(dir, RUN_FILE);

  return {
    dir,
    resolve: (...parts) => path.join(dir, ...parts),
    async writeMeta(meta) {
      await mkdir(dir, { recursive: true });
      await writeAtomic(metaFile, `${JSON.stringify(RunMetaSchema.parse(meta), null, 2)}\n`);
    },
    async readMeta() {
      let text: string;
      try {
        text = await readFile(metaFile, 'utf8');
      } catch (cause) {
        throw new SweepError('SWEEP_ERR_RUN_NOT_FOUND', `no ${RUN_FILE} in ${dir}`, {
          file: metaFile,
          cause,
          hint: 'pass the run folder a sweep printed when it started (resource-sweeps/reports/<run-id>)',
        });
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new SweepError('SWEEP_ERR_RUN_CORRUPT', `${RUN_FILE} is not JSON`, { file: metaFile, cause });
      }
      const parsed = RunMetaSchema.safeParse(asRecorded(value));
      if (!parsed.success) {
        throw new SweepError('SWEEP_ERR_RUN_CORRUPT', `${RUN_FILE} does not match ${RunMetaSchema.shape.schema.value}`, {
          file: metaFile,
          ...whereInRecord(parsed.error.issues),
        });
      }
      return parsed.data;
    },
    async append(record) {
      const line = `${JSON.stringify(TrialRecordSchema.parse(record))}\n`;
      await mkdir(dir, { recursive: true });
      const handle = await open(resultsFile, 'a');
      try {
        await handle.write(line);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async read() {
      let text: string;
      try {
        text = await readFile(resultsFile, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [] };
        throw error;
      }
      return parseResults(text, resultsFile);
    },
    async repairTornTail() {
      let text: string;
      try {
        text = await readFile(resultsFile, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      if (text === '' || text.endsWith('\n')) return false;
      const keep = text.lastIndexOf('\n') + 1;
      await appendFile(`${resultsFile}.torn`, `${text.slice(keep)}\n`);
      await truncate(resultsFile, Buffer.byteLength(text.slice(0, keep)));
      return true;
    },
    async writeFile(relative, content) {
      const file = path.join(dir, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeAtomic(file, content);
      return file;
    },
  };
}

/**
 * Search settings added after runs existed, and the value the runs that predate them ran with:
 * a run.json without the key is read with it off, so resuming or re-reporting such a run replays
 * the search it really ran (with today's default it would ask for trials it never meant to run).
 */
const SEARCH_KEYS_ADDED_LATER = { rerun_first_step_failure: false, confirm_boundary: false } as const;

function asRecorded(value: unknown): unknown {
  const plan = (value as { plan?: { search?: Record<string, unknown> } } | null)?.plan;
  if (typeof plan !== 'object' || plan === null) return value;
  const search = typeof plan.search === 'object' && plan.search !== null ? plan.search : {};
  return { ...(value as object), plan: { ...plan, search: { ...SEARCH_KEYS_ADDED_LATER, ...search } } };
}
