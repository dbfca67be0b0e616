/** Writes summary.json first (data before text), then its renderings, into the run folder. */
import type { RunStore } from '../results/run-store.js';
import { SummarySchema, type Summary } from '../summary/summary-schema.js';
import { renderHtml } from './report-html.js';
import { renderMarkdown } from './report-md.js';

export const SUMMARY_FILE = 'summary.json';

export async function writeReports(store: RunStore, summary: Summary): Promise<string[]> {
  const checked = SummarySchema.parse(summary);
  return [
    await store.writeFile(SUMMARY_FILE, `${JSON.stringify(checked, null, 2)}\n`),
    await store.writeFile('report.md', renderMarkdown(checked)),
    await store.writeFile('report.html', renderHtml(checked)),
  ];
}
