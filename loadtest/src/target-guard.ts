/**
 * Where load may go: loopback, or a container/service name on a Docker network that this run
 * created (it carries our owner label). Anything else is refused with LOAD_ERR_TARGET_REFUSED
 * before an engine starts. The pure classifier decides what a URL is; `verifyTarget` checks
 * the facts (what `localhost` resolves to, the network's owner label, who is on it).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { LoadError } from './errors.js';

export type TargetClass = { kind: 'loopback'; host: string } | { kind: 'service'; host: string };

const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]*$/i;

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(a) === 4) return a.split('.')[0] === '127';
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? isLoopbackAddress(mapped[1]!) : false;
}

export function classifyTarget(url: string): TargetClass {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused(url, 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refused(url, `protocol ${parsed.protocol} is not http(s)`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    if (isLoopbackAddress(host)) return { kind: 'loopback', host };
    throw refused(url, `${host} is not a loopback address`);
  }
  if (host.toLowerCase() === 'localhost') return { kind: 'loopback', host };
  // A dotted name could resolve anywhere through public DNS; a bare name can only be checked
  // against the containers of our own network.
  if (SERVICE_NAME.test(host)) return { kind: 'service', host };
  throw refused(url, `${host} is neither loopback nor a bare service name`);
}

/** What verifyTarget needs to know about Docker; the runner passes an adapter over @rightsize/compose/docker. */
export interface NetworkFacts {
  /** labels of the network, or null when it does not exist */
  networkLabels(network: string): Promise<Record<string, string> | null>;
  /** container names and aliases reachable on the network */
  namesOnNetwork(network: string): Promise<string[]>;
}

export interface VerifyTargetOptions {
  url: string;
  network?: string | undefined;
  networkOwner?: string | undefined;
  ownerLabel: string;
  facts?: NetworkFacts | undefined;
}

export async function verifyTarget(opts: VerifyTargetOptions): Promise<TargetClass> {
  const target = classifyTarget(opts.url);
  if (target.kind === 'loopback') {
    if (target.host.toLowerCase() === 'localhost') {
      const addresses = await lookup('localhost', { all: true });
      const bad = addresses.filter((a) => !isLoopbackAddress(a.address));
      if (bad.length > 0) throw refused(opts.url, `localhost resolves to ${bad.map((a) => a.address).join(', ')} here`);
    }
    return target;
  }
  if (!opts.network || !opts.networkOwner || !opts.facts) {
    throw refused(
      opts.url,
      `"${target.host}" is a service name: it is only allowed on a Docker network this run created (pass the network and its ${opts.ownerLabel} value), or use a loopback URL such as http://127.0.0.1:8080`,
    );
  }
  const labels = await opts.facts.networkLabels(opts.network);
  if (labels === null) throw refused(opts.url, `network ${opts.network} does not exist`);
  if (labels[opts.ownerLabel] !== opts.networkOwner) {
    throw refused(opts.url, `network ${opts.network} is not this run's: its ${opts.ownerLabel} is "${labels[opts.ownerLabel] ?? '(none)'}", expected "${opts.networkOwner}"`);
  }
  const names = await opts.facts.namesOnNetwork(opts.network);
  if (!names.some((n) => n.toLowerCase() === target.host.toLowerCase())) {
    throw refused(opts.url, `no container or service named "${target.host}" on network ${opts.network} (found: ${names.join(', ') || 'none'})`);
  }
  return target;
}

function refused(url: string, why: string): LoadError {
  return new LoadError('LOAD_ERR_TARGET_REFUSED', `target ${url} refused: ${why}. Load may only go to loopback or to this run's own containers.`, { url });
}
