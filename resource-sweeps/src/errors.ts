/**
 * The sweep's one catalog of error codes. Every failure a user can cause or meet (a bad plan,
 * a missing run folder, an engine that does not answer) is a SweepError with a stable code,
 * so tests assert codes and the CLI prints one clear line with what to do (`format()`).
 */
import { CodedError, errorGuard, type CodedErrorOptions } from '@rightsize/compose/kit/errors';

export const SWEEP_ERRORS = {
  SWEEP_ERR_PLAN_NOT_FOUND: 'plan file not found',
  SWEEP_ERR_PLAN_YAML: 'plan file is not valid YAML',
  SWEEP_ERR_PLAN_INVALID: 'plan does not match the plan schema',
  SWEEP_ERR_ARGS: 'bad command-line arguments',
  SWEEP_ERR_RUN_NOT_FOUND: 'run folder not found',
  SWEEP_ERR_RUN_CORRUPT: 'run folder holds unreadable state',
  SWEEP_ERR_RUN_MISMATCH: 'the run folder was started with a different plan',
  SWEEP_ERR_RESULTS_INVALID: 'a results line does not match the trial schema',
  SWEEP_ERR_DOCKER: 'the Docker engine did not answer',
  SWEEP_ERR_STACK_UP: 'the stack did not come up',
  SWEEP_ERR_UNHEALTHY: 'the API did not become healthy in time',
  SWEEP_ERR_LOAD: 'the load generator failed',
  SWEEP_ERR_ABORTED: 'the sweep was stopped',
  SWEEP_ERR_LAB: 'the queueing lab could not run',
  // the live page and HTTP API (src/web)
  SWEEP_ERR_BAD_REQUEST: 'the request does not match its schema',
  SWEEP_ERR_UNAUTHORIZED: 'a valid bearer token is required',
  SWEEP_ERR_FORBIDDEN: 'cross-site or foreign-host request refused',
  SWEEP_ERR_BUSY: 'a sweep or an ad-hoc load is already running',
  SWEEP_ERR_NOT_RUNNING: 'nothing is running to stop',
  SWEEP_ERR_TARGET_REFUSED: 'load may only go to loopback or to the run\'s own containers',
  SWEEP_ERR_NO_BALANCER: 'no load balancer answers to read its backends',
  SWEEP_ERR_NOT_FOUND: 'no such route or file',
  SWEEP_ERR_METHOD_NOT_ALLOWED: 'the path exists but not with this method',
  SWEEP_ERR_INTERNAL: 'internal error',
} as const;

export type SweepErrorCode = keyof typeof SWEEP_ERRORS;

export type SweepErrorOptions = CodedErrorOptions<readonly string[]>;

export class SweepError extends CodedError<SweepErrorCode> {
  override name = 'SweepError';
}

export const isSweepError = errorGuard(SweepError);

/** The error an AbortSignal-driven stop raises, so callers can tell "stopped" from "broken". */
export function abortedError(reason?: unknown): SweepError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'stop requested' : String(reason);
  return new SweepError('SWEEP_ERR_ABORTED', `sweep stopped: ${why}`, {
    hint: 'finished trials are kept; continue with --resume <run folder>',
  });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal.reason);
}
