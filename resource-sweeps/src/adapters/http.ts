/**
 * fetch with a timeout that keeps the process alive. AbortSignal.timeout's timer is unref'd, and
 * a request waiting on a freshly published container port holds no ref'd handle either, so a
 * library caller with nothing else pending would see Node exit mid-await ("the event loop has
 * already resolved"). A plain, ref'd setTimeout avoids that.
 */
export async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms: ${url}`)), timeoutMs);
  const outer = init.signal;
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** GET returning status and body text, or null when nothing answered in time. */
export async function getText(url: string, timeoutMs = 2000): Promise<{ status: number; text: string } | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: controller.signal });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
