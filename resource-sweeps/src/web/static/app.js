// The live page: follows GET /events (server-sent events read with fetch, so a bearer token can
// be sent; reconnects by itself and starts again from the snapshot the server sends first),
// keeps the view the server described, and redraws at most twice a second.
(function () {
'use strict';
const { lineChart, passFailMaps, fmt, esc, memLabel, configKey } = window.RsCharts;

const S = { snap: null, stats: null, balancer: null, rtime: [], connected: false };
let token = sessionStorage.getItem('rs-token');

function authHeaders() {
  return token ? { authorization: `Bearer ${token}` } : {};
}
function askToken() {
  const t = window.prompt('This server needs its token (the --token it was started with):');
  if (t) {
    token = t.trim();
    sessionStorage.setItem('rs-token', token);
  }
  return Boolean(t);
}

async function api(method, path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await fetch(path, { method, headers: { ...authHeaders(), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (res.status === 401 && attempt === 0 && askToken()) continue;
    const doc = await res.json().catch(() => ({}));
    if (!res.ok) window.alert(`${doc.code || res.status}: ${doc.message || res.statusText}${doc.hint ? `\n${doc.hint}` : ''}`);
    return doc;
  }
}

// ---- the event stream -------------------------------------------------------------------
let retryMs = 1000;
async function connect() {
  try {
    const res = await fetch('/events', { headers: { ...authHeaders(), accept: 'text/event-stream' }, cache: 'no-store' });
    if (res.status === 401) {
      setConn(false, 'needs token');
      if (askToken()) return connect();
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    setConn(true);
    retryMs = 1000;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = 'message';
        let data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(name, JSON.parse(data));
      }
    }
  } catch (err) {
    console.warn('event stream:', err);
  }
  setConn(false, 'reconnecting');
  setTimeout(connect, retryMs);
  retryMs = Math.min(retryMs * 2, 10000);
}

function setConn(ok, why) {
  S.connected = ok;
  const el = document.getElementById('conn');
  el.className = `conn ${ok ? 'live' : 'down'}`;
  el.textContent = ok ? 'live' : why || 'disconnected';
}

function onEvent(name, data) {
  const sweep = S.snap && S.snap.sweep;
  const cur = sweep && sweep.current;
  switch (name) {
    case 'snapshot':
    case 'view:state':
      S.snap = data;
      break;
    case 'stats':
      S.stats = data;
      break;
    case 'balancer':
      S.balancer = data;
      S.rtime.push({ t: Date.parse(data.read_at), y: data.backend ? data.backend.response_time_ms : null });
      if (S.rtime.length > 3600) S.rtime.shift();
      break;
    case 'sweep:start':
      if (sweep) Object.assign(sweep, { plan: data.plan, grid_size: data.grid_size, progress: data.progress, p95_objective_ms: data.plan.objective.p95_ms });
      break;
    case 'view:map':
      if (sweep) {
        if (data.cells) sweep.map = data;
        else Object.assign(sweep, { map: data.map, minimum: data.minimum, report: data.report });
      }
      break;
    case 'trial:start':
      if (sweep) sweep.current = { index: data.index, attempt: data.attempt, config: data.config, start_users: data.start_users, known_held_users: data.known_held_users, phase: 'starting', detail: '', started_at: Date.now(), load: [], samples: [] };
      if (sweep) sweep.progress = data.progress;
      S.rtime = [];
      break;
    case 'trial:phase':
      if (cur && cur.index === data.index) Object.assign(cur, { phase: data.phase, detail: data.detail });
      break;
    case 'trial:load':
      if (cur && cur.index === data.index) cur.load.push({ t: Date.now(), elapsed_s: data.elapsed_s, users: data.users, step_users: data.step_users, rps: data.rps, error_rate: data.error_rate, p95_ms: data.p95_ms, generator: data.generator || null });
      break;
    case 'trial:sample':
      if (cur && cur.index === data.index) cur.samples.push(data);
      break;
    case 'trial:end':
      if (sweep) Object.assign(sweep, { last: sweep.current || sweep.last, current: null, progress: data.progress });
      break;
    case 'view:trial':
      if (sweep && !sweep.trials.some((t) => t.index === data.index)) sweep.trials.push(data);
      break;
    case 'swarm:load':
      if (S.snap && S.snap.swarm) S.snap.swarm.load.push(data);
      break;
    case 'warning':
      if (S.snap) S.snap.warnings.push(data.message);
      break;
    default:
      break; // summary:written, sweep:end, trial:replayed: the view:* events carry what the page needs
  }
  schedule();
}

// ---- drawing -----------------------------------------------------------------------------
let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    render();
  }, 400);
}
const $ = (id) => document.getElementById(id);
const describe = (c) => `${c.replicas} x (${c.cpus} CPU, ${memLabel(c.memory_mib)})`;
const pct = (v) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(v < 0.01 && v > 0 ? 2 : 1)} %`);
const secs = (s) => (s === null || s === undefined ? '-' : s >= 90 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)} s`);

function render() {
  const snap = S.snap;
  if (!snap) return;
  const state = (S.stats && S.stats.state) || snap.state;
  $('state').textContent = state;
  $('state').className = `badge ${state}`;
  const busy = state === 'running' || state === 'spawning' || state === 'stopping';
  $('stop').disabled = !busy || state === 'stopping';
  $('start-quick').disabled = busy;
  renderPlan(snap.sweep, snap.swarm, snap.mode);
  renderNow(snap);
  renderMap(snap.sweep);
  renderTrials(snap.sweep);
  renderWindows();
  renderBalancer();
  $('warnings').innerHTML = snap.warnings.length ? snap.warnings.slice(-12).map((w) => `<li>${esc(w)}</li>`).join('') : '<li style="color:#666">none</li>';
}

function renderPlan(sweep, swarm, mode) {
  if (mode === 'swarm' && swarm) {
    $('plan').innerHTML = `<dl class="kv"><dt>ad-hoc load</dt><dd>${esc(swarm.run_id)}</dd><dt>target</dt><dd>${esc(swarm.host)}/predict</dd><dt>users</dt><dd>${swarm.user_count}, started at ${swarm.spawn_rate}/s</dd><dt>run time</dt><dd>${secs(swarm.run_time)}${swarm.finished_at ? ' (finished)' : ''}</dd>${swarm.error ? `<dt>error</dt><dd>${esc(swarm.error)}</dd>` : ''}</dl>`;
    $('report').innerHTML = '';
    return;
  }
  if (!sweep || !sweep.plan) return;
  const p = sweep.plan;
  const pr = sweep.progress;
  $('plan').innerHTML = `<dl class="kv">
    <dt>run</dt><dd>${esc(sweep.run_id)} <span class="muted">(${esc(sweep.phase)})</span></dd>
    <dt>target</dt><dd>${esc(p.target.image)} (${esc(p.target.protocol)})</dd>
    <dt>load</dt><dd>${esc(p.load.engine)} ${esc(p.load.scenario)}: ${p.load.users.from} to ${p.load.users.to} users by ${p.load.users.step}; ramp ${p.load.ramp} s, hold ${p.load.hold} s, think ${p.load.think_time.min}-${p.load.think_time.max} s</dd>
    <dt>objective</dt><dd>p95 &le; ${p.objective.p95_ms} ms${p.objective.p99_ms ? `, p99 &le; ${p.objective.p99_ms} ms` : ''}, errors &le; ${pct(p.objective.max_error_rate)}</dd>
    <dt>candidates</dt><dd>replicas ${p.candidates.replicas.join(', ')}; CPUs ${p.candidates.cpus.join(', ')}; memory ${p.candidates.memory.map(memLabel).join(', ')} (${sweep.grid_size} configurations, ${esc(p.search.strategy)} search)</dd>
    <dt>progress</dt><dd>${sweep.trials.length} trials done${pr ? `, about ${pr.trials_left} left${pr.eta_s !== null ? `, ETA ${secs(pr.eta_s)}` : ''}` : ''}</dd>
    ${sweep.error ? `<dt>error</dt><dd class="FAIL">${esc(sweep.error)}</dd>` : ''}
  </dl>`;
  $('report').innerHTML = sweep.report ? `<a id="report-link" href="${esc(sweep.report.html)}" target="_blank">report.html</a> · <a href="${esc(sweep.report.md)}" target="_blank">.md</a> · <a href="${esc(sweep.report.summary)}" target="_blank">summary.json</a>` : '';
}

function lastStep(snap) {
  if (snap.mode === 'swarm' && snap.swarm && snap.swarm.steps.length) return snap.swarm.steps[snap.swarm.steps.length - 1];
  const trials = snap.sweep ? snap.sweep.trials.filter((t) => t.steps.length) : [];
  const t = trials[trials.length - 1];
  return t ? t.steps[t.steps.length - 1] : null;
}

function renderNow(snap) {
  const sweep = snap.sweep;
  const running = sweep && sweep.current;
  // between trials and after the sweep, the last trial's charts stay (its numbers do not)
  const cur = running || (sweep && snap.mode === 'sweep' ? sweep.last : null);
  const swarm = snap.mode === 'swarm' ? snap.swarm : null;
  const load = cur ? cur.load : swarm ? swarm.load : [];
  const last = load[load.length - 1];
  if (cur && !running) {
    const done = sweep.trials.find((t) => t.index === cur.index);
    const outcome = done ? (done.end === 'target' ? 'PASS' : done.end === 'invalid' ? 'INVALID' : 'FAIL') : 'ended';
    $('now-head').innerHTML = `${sweep.phase === 'running' ? 'between trials; ' : ''}last trial #${cur.index}: <b>${describe(cur.config)}</b> · <span class="${outcome}">${outcome}</span>`;
  } else if (cur) $('now-head').innerHTML = `trial #${cur.index}${cur.attempt > 1 ? ` (try ${cur.attempt})` : ''}: <b>${describe(cur.config)}</b>, load from ${cur.start_users} users · <span class="phase">${esc(cur.phase)}</span> <span class="muted">${esc(cur.detail)}</span>`;
  else if (swarm) $('now-head').innerHTML = `ad-hoc load: <b>${swarm.user_count} users</b> on ${esc(swarm.host)} · <span class="phase">${swarm.finished_at ? 'finished' : swarm.stopping ? 'stopping' : 'running'}</span>`;
  else $('now-head').textContent = sweep && sweep.phase === 'running' ? 'between trials' : 'nothing running';
  const live = Boolean(last) && (Boolean(running) || (swarm && !swarm.finished_at));
  $('now-users').textContent = live ? fmt(last.users) : '-';
  $('now-step').textContent = live && last.step_users !== null ? fmt(last.step_users) : '-';
  $('now-rps').textContent = live ? fmt(last.rps) : '-';
  $('now-errors').textContent = live ? pct(last.error_rate) : '-';
  $('now-generator').textContent = live && last.generator && last.generator.cpu_pct !== null ? `${Math.round(last.generator.cpu_pct)} %` : '-';
  const step = lastStep(snap);
  $('now-p50').textContent = step ? fmt(step.p50_ms) : '-';
  // while a step runs, the load runner's p95 of that step so far; else the last finished step's
  const liveP95 = live && last.p95_ms !== null && last.p95_ms !== undefined ? last.p95_ms : null;
  $('now-p95').textContent = liveP95 !== null ? fmt(liveP95) : step ? fmt(step.p95_ms) : '-';
  $('now-p95').title = liveP95 !== null ? 'p95 of the running step so far' : 'p95 of the last finished step';
  $('now-p99').textContent = step ? fmt(step.p99_ms) : '-';

  const xs = load.map((p) => ({ ...p, x: p.elapsed_s }));
  const charts = [
    lineChart({ title: 'users', xLabel: 's since the load started', yLabel: 'users', series: [{ name: 'users running', points: xs.map((p) => ({ x: p.x, y: p.users })) }, { name: 'step target', points: xs.filter((p) => p.step_users !== null).map((p) => ({ x: p.x, y: p.step_users })), step: true, dash: '6 3' }], id: 'chart-users' }),
    lineChart({ title: 'throughput', xLabel: 's since the load started', yLabel: 'req/s', series: [{ name: 'req/s', points: xs.map((p) => ({ x: p.x, y: p.rps })) }], id: 'chart-rps' }),
    lineChart({ title: 'errors', xLabel: 's since the load started', yLabel: '% of requests', series: [{ name: 'errors %', points: xs.map((p) => ({ x: p.x, y: p.error_rate * 100 })), color: '#D55E00' }], references: sweep && sweep.plan ? [{ y: sweep.plan.objective.max_error_rate * 100, label: 'objective' }] : [], id: 'chart-errors' }),
  ];
  // the balancer is read on the server's clock; load points carry both that clock and the load's own
  const t0 = last ? last.t - last.elapsed_s * 1000 : Infinity;
  const rt = S.rtime.filter((p) => p.y !== null && p.t >= t0 - 30000).map((p) => ({ x: (p.t - t0) / 1000, y: p.y }));
  charts.push(lineChart({ title: 'response time', xLabel: 's since the load started', yLabel: 'ms', series: [{ name: 'HAProxy mean, last 1024 requests', points: rt, color: '#CC79A7' }, { name: 'p95 of the running step so far', points: xs.filter((p) => p.p95_ms !== null && p.p95_ms !== undefined).map((p) => ({ x: p.x, y: p.p95_ms })), color: '#0072B2' }], references: sweep && sweep.p95_objective_ms ? [{ y: sweep.p95_objective_ms, label: `p95 objective ${sweep.p95_objective_ms} ms` }] : [], id: 'chart-latency', empty: 'no balancer read yet' }));
  $('now-charts').innerHTML = charts.join('');
  renderContainers(cur);
}

function renderContainers(cur) {
  if (!cur || cur.samples.length === 0) {
    $('containers').innerHTML = '<span class="muted">no samples yet</span>';
    return;
  }
  const api = cur.samples.filter((s) => s.service === 'api');
  const names = [...new Set(api.map((s) => s.name))].sort();
  const t0 = Math.min(...api.map((s) => s.t));
  const short = (n) => n.replace(/^.*?_(api_\d+)$/, '$1');
  const cpuLimit = cur.config.cpus * 100;
  const memLimit = api.find((s) => s.mem_limit_mib !== null);
  const cpu = lineChart({ title: `CPU per replica (limit ${cur.config.cpus} CPU = 100 %)`, xLabel: 's', yLabel: '% of its limit', width: 560, series: names.map((n) => ({ name: short(n), points: api.filter((s) => s.name === n && s.cpu_pct !== null).map((s) => ({ x: (s.t - t0) / 1000, y: (s.cpu_pct / cpuLimit) * 100 })) })), references: [{ y: 100, label: 'limit' }], id: 'chart-cpu' });
  const mem = lineChart({ title: `memory per replica (limit ${memLabel(cur.config.memory_mib)})`, xLabel: 's', yLabel: 'MiB', width: 560, series: names.map((n) => ({ name: short(n), points: api.filter((s) => s.name === n && s.mem_mib !== null).map((s) => ({ x: (s.t - t0) / 1000, y: s.mem_mib })) })), references: memLimit ? [{ y: memLimit.mem_limit_mib, label: 'limit' }] : [], id: 'chart-mem' });
  $('containers').innerHTML = cpu + mem;
}

function renderMap(sweep) {
  if (!sweep || !sweep.map) return;
  $('maps').innerHTML = passFailMaps(sweep.map, sweep.current ? configKey(sweep.current.config) : null);
  $('minimum').textContent = sweep.minimum || '';
}

function renderTrials(sweep) {
  if (!sweep) return;
  const rows = sweep.trials.slice().sort((a, b) => a.index - b.index);
  $('trials').querySelector('tbody').innerHTML = rows
    .map((t) => {
      const outcome = t.end === 'target' ? 'PASS' : t.end === 'invalid' ? 'INVALID' : 'FAIL';
      return `<tr data-trial="${t.index}"><td>${t.index}</td><td>${describe(t.config)}</td><td class="${outcome}">${outcome}${t.machine_bound ? ' (machine)' : ''}</td><td>${fmt(t.held_users)}</td><td>${t.failed_users === null ? '-' : fmt(t.failed_users)}</td><td>${secs(t.duration_s)}</td><td class="why">${esc(t.reasons)}</td></tr>`;
    })
    .join('');
  const series = rows.filter((t) => t.steps.length).map((t) => ({ name: `#${t.index} ${describe(t.config)}`, points: t.steps.map((s) => ({ x: s.users, y: s.p95_ms, hollow: !s.pass || !s.valid })), dots: true }));
  $('trials-chart').innerHTML = lineChart({ title: 'p95 latency per step', xLabel: 'users', yLabel: 'p95 ms', series, references: sweep.p95_objective_ms ? [{ y: sweep.p95_objective_ms, label: 'objective' }] : [], width: 560, id: 'chart-trials', empty: 'no trial finished yet' });
}

function renderWindows() {
  const st = S.stats;
  if (!st) return;
  $('windows').querySelector('tbody').innerHTML = Object.entries(st.windows)
    .map(([name, w]) => `<tr data-window="${name}"><td>${name}</td><td>${fmt(w.requests)}</td><td>${fmt(w.rps_mean)}</td><td>${fmt(w.rps_peak)}</td><td>${pct(w.fail_ratio)}</td><td>${w.latency ? `${fmt(w.latency.p95_ms.weighted)} / &le; ${fmt(w.latency.p95_ms.upper)}` : '-'}</td><td>${fmt(w.balancer_response_time_ms)}</td></tr>`)
    .join('');
}

function renderBalancer() {
  const b = S.balancer;
  if (!b) return;
  const rows = b.servers.map((s) => `<tr><td>${esc(s.server)}</td><td class="${/^UP/.test(s.status) ? 'PASS' : 'FAIL'}">${esc(s.status)}</td><td>${esc(s.address || '')}</td><td>${fmt(s.sessions_now)}</td><td>${fmt(s.rate)}</td><td>${fmt(s.requests_total)}</td><td>${fmt(s.responses['2xx'])} / ${fmt(s.responses['4xx'])} / ${fmt(s.responses['5xx'])}</td><td>${fmt(s.response_time_ms)}</td></tr>`);
  $('balancer').innerHTML = `<table><thead><tr><th>server</th><th>state</th><th>address</th><th>sessions</th><th>sess/s</th><th>requests</th><th>2xx / 4xx / 5xx</th><th>mean ms</th></tr></thead><tbody>${rows.join('')}</tbody></table><div class="note">${b.up} UP · read ${new Date(b.read_at).toLocaleTimeString()} from ${esc(b.source)}</div>`;
}

$('stop').addEventListener('click', () => api('POST', '/stop'));
$('start-quick').addEventListener('click', () => api('POST', '/api/sweep', { quick: true }));
connect();
})();
