/**
 * The load runner's one catalog of error codes (`LOAD_ERR_*`). Tests assert codes, never
 * messages; messages name the file, flag or key at fault and say what to do.
 */
import { CodedDataError, errorGuard } from '@rightsize/compose/kit/errors';

/** A failure of a load run: `new LoadError(code, message, details?, options?)`. */
export class LoadError extends CodedDataError<LoadErrorCode> {
  override name = 'LoadError';
}

export const isLoadError = errorGuard(LoadError);

export const LoadErrorCodes = {
  /** A CLI flag or option has a bad value (names the flag/key). */
  LOAD_ERR_BAD_OPTION: 'LOAD_ERR_BAD_OPTION',
  /** An environment variable has a bad value (names the variable). */
  LOAD_ERR_BAD_ENV: 'LOAD_ERR_BAD_ENV',
  /** The target is not loopback and not a service on a network this run created: refused. */
  LOAD_ERR_TARGET_REFUSED: 'LOAD_ERR_TARGET_REFUSED',
  /** The engine (k6 binary/image, Locust) is missing. */
  LOAD_ERR_ENGINE_MISSING: 'LOAD_ERR_ENGINE_MISSING',
  /** The engine exited abnormally (not 0, not "thresholds crossed"). */
  LOAD_ERR_ENGINE_FAILED: 'LOAD_ERR_ENGINE_FAILED',
  /** The run overran its hard time bound and was stopped. */
  LOAD_ERR_DEADLINE: 'LOAD_ERR_DEADLINE',
  /** The engine's raw output, or a load summary, is missing or does not validate. */
  LOAD_ERR_BAD_RESULT: 'LOAD_ERR_BAD_RESULT',
  /** The payloads file is missing or malformed. */
  LOAD_ERR_PAYLOADS: 'LOAD_ERR_PAYLOADS',
} as const;
export type LoadErrorCode = keyof typeof LoadErrorCodes;
