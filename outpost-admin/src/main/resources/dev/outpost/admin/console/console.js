'use strict';
// Outpost console: plain JS, no build. Polls api/status every 2 s; all URLs are relative so the
// page works wherever it is mounted.
(function () {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const $ = (id) => document.getElementById(id);
  let allowActions = false;
  let pendingAction = null;

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (token) h['X-Outpost-Token'] = token;
    return h;
  }

  async function api(path, body) {
    const opts = body === undefined
      ? { headers: headers() }
      : { method: 'POST', body: JSON.stringify(body),
          headers: headers({ 'Content-Type': 'application/json', 'X-Outpost-Console': '1' }) };
    const res = await fetch(path, opts);
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
    return data;
  }

  function showError(e) {
    const box = $('error');
    box.textContent = e ? String(e.message || e) : '';
    box.hidden = !e;
  }

  function text(v) { return v === null || v === undefined ? '–' : String(v); }

  function cell(tr, value, cls) {
    const td = document.createElement('td');
    td.textContent = text(value);
    if (cls) { td.className = cls; td.title = text(value); }
    tr.appendChild(td);
  }

  function fill(tbodyId, rows, columns, onClick) {
    const tbody = $(tbodyId);
    tbody.replaceChildren();
    rows.forEach((row) => {
      const tr = document.createElement('tr');
      columns.forEach((c) => typeof c === 'function' ? cell(tr, c(row)) : cell(tr, row[c.k], c.cls));
      if (onClick) { tr.className = 'clickable'; tr.addEventListener('click', () => onClick(row)); }
      tbody.appendChild(tr);
    });
  }

  function age(ms) {
    if (ms === null || ms === undefined) return '–';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  // The x axis spans the samples so far (at least a minute, at most the server's 10 minutes).
  function chart(history) {
    const svg = $('chart');
    const W = 800, H = 200, P = 4;
    const ns = 'http://www.w3.org/2000/svg';
    svg.replaceChildren();
    if (history.length === 0) return;
    const tEnd = Date.parse(history[history.length - 1].at);
    const span = Math.min(10 * 60 * 1000, Math.max(60 * 1000, tEnd - Date.parse(history[0].at)));
    const t0 = tEnd - span;
    const x = (at) => P + (W - 2 * P) * Math.max(0, (Date.parse(at) - t0) / span);
    const maxBacklog = Math.max(1, ...history.map((s) => s.pending));
    const maxRate = Math.max(1, ...history.map((s) => Math.max(s.publishedPerSecond, s.writtenPerSecond)));
    const line = (values, max, color) => {
      const pts = history.map((s, i) => x(s.at).toFixed(1) + ',' + (H - P - (H - 2 * P) * values[i] / max).toFixed(1));
      const pl = document.createElementNS(ns, 'polyline');
      pl.setAttribute('points', pts.join(' '));
      pl.setAttribute('fill', 'none');
      pl.setAttribute('stroke', color);
      pl.setAttribute('stroke-width', '2');
      pl.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(pl);
    };
    line(history.map((s) => s.pending), maxBacklog, '#2f6fdb');
    line(history.map((s) => s.publishedPerSecond), maxRate, '#27ae60');
    line(history.map((s) => s.writtenPerSecond), maxRate, '#e67e22');
    const last = history[history.length - 1];
    $('rates').textContent = 'last ' + Math.round(span / 1000) + ' s; scale: backlog ' + maxBacklog
      + ', rates ' + maxRate.toFixed(0) + '/s; now ' + last.publishedPerSecond.toFixed(1)
      + ' published/s, ' + last.writtenPerSecond.toFixed(1) + ' written/s';
  }

  async function refreshStatus() {
    try {
      const data = await api('api/status');
      const s = data.status;
      allowActions = data.allowActions;
      $('mode').textContent = allowActions ? 'actions allowed' : 'read-only';
      $('mode').className = 'badge' + (allowActions ? ' actions' : '');
      document.querySelectorAll('button.act').forEach((b) => { b.disabled = !allowActions; });
      $('pending-total').textContent = s.pending;
      $('retrying-total').textContent = s.retrying;
      $('oldest-age').textContent = age(s.oldestPendingAgeMillis);
      $('dead-total').textContent = s.deadLetters;
      $('delayed-total').textContent = s.delayed.count;
      $('delayed-next').textContent = text(s.delayed.nextDue);
      const now = Date.parse(s.at);
      const alive = s.relays.filter((r) => Date.parse(r.expiresAt) > now);
      $('relay-count').textContent = alive.length;
      const held = s.leases.filter((l) => l.owner && Date.parse(l.expiresAt) > now);
      $('lease-held').textContent = held.length + ' of ' + s.leases.length;
      fill('partitions', s.partitions, [{ k: 'partition' }, { k: 'pending' }, { k: 'retrying' }, { k: 'oldest' }]);
      fill('dl-groups', s.deadLetterGroups, [{ k: 'count' }, { k: 'topic' }, { k: 'error', cls: 'err' }]);
      fill('relays', s.relays, [{ k: 'instanceId' }, (r) => Date.parse(r.expiresAt) > now ? 'alive' : 'expired',
        { k: 'heartbeatAt' }, (r) => s.leases.filter((l) => l.owner === r.instanceId).length]);
      fill('leases', s.leases.filter((l) => l.owner), [{ k: 'partition' }, { k: 'owner' }, { k: 'expiresAt' }, { k: 'fencingToken' }]);
      chart(data.history);
      $('updated').textContent = 'updated ' + new Date(now).toLocaleTimeString();
      $('updated').dataset.at = s.at;
      showError(null);
    } catch (e) { showError(e); }
  }

  function deadFilter() {
    return { id: $('f-id').value, topic: $('f-topic').value, key: $('f-key').value,
             error: $('f-error').value, failedFrom: $('f-from').value, failedBefore: $('f-before').value };
  }

  function query(filter) {
    const q = new URLSearchParams();
    Object.entries(filter).forEach(([k, v]) => { if (v) q.set(k, v); });
    return q.toString();
  }

  async function searchDead() {
    try {
      const data = await api('api/dead-letters?' + query(deadFilter()));
      $('dl-count').textContent = data.count;
      fill('dl-rows', data.rows, [{ k: 'id' }, { k: 'messageId' }, { k: 'topic' }, { k: 'key' },
        { k: 'failedAt' }, { k: 'attempts' }, { k: 'lastError', cls: 'err' }], showDetail);
      showError(null);
    } catch (e) { showError(e); }
  }

  async function showDetail(row) {
    try {
      const d = await api('api/dead-letters/' + row.id);
      const box = $('dl-detail');
      box.textContent = JSON.stringify(d, null, 2);
      box.hidden = false;
    } catch (e) { showError(e); }
  }

  async function preview(path, filter, extra) {
    $('result').hidden = true;
    try {
      const body = Object.assign({ filter: filter, dryRun: true }, extra);
      const plan = await api(path, body);
      pendingAction = { path: path, body: Object.assign({}, body, { dryRun: false, expect: plan.total }) };
      $('preview-action').textContent = plan.action;
      $('preview-total').textContent = plan.total;
      $('preview-filter').textContent = plan.filter;
      $('preview-matched').textContent = plan.matched === undefined ? plan.total : plan.matched;
      const notes = $('preview-notes');
      notes.replaceChildren();
      (plan.keys || []).forEach((k) => {
        const li = document.createElement('li');
        li.textContent = 'key ' + k.key + ' (partition ' + k.partition + '): ' + k.note;
        notes.appendChild(li);
      });
      $('confirm').textContent = 'Confirm ' + plan.action + ' of ' + plan.total;
      $('confirm').disabled = plan.total === 0;
      $('preview').hidden = false;
      showError(null);
    } catch (e) { showError(e); }
  }

  async function confirmAction() {
    if (!pendingAction) return;
    try {
      const result = await api(pendingAction.path, pendingAction.body);
      $('preview').hidden = true;
      $('result').textContent = result.action + ': ' + result.affected + ' of ' + result.planned + ' done';
      $('result').hidden = false;
      pendingAction = null;
      showError(null);
      searchDead(); searchDelayed(); refreshStatus();
    } catch (e) { showError(e); }
  }

  function delayedFilter() {
    return { id: $('d-id').value, topic: $('d-topic').value, cancelKey: $('d-cancel-key').value,
             dueBefore: $('d-due-before').value };
  }

  async function searchDelayed() {
    try {
      const rows = await api('api/delayed?' + query(delayedFilter()));
      fill('delayed-rows', rows, [{ k: 'id' }, { k: 'messageId' }, { k: 'topic' }, { k: 'key' }, { k: 'cancelKey' }, { k: 'deliverAt' }]);
    } catch (e) { showError(e); }
  }

  async function refreshAudit() {
    try {
      const rows = await api('api/audit');
      fill('audit-rows', rows, [{ k: 'performedAt' }, { k: 'operator' }, { k: 'origin' }, { k: 'action' }, { k: 'filter' }, { k: 'matched' }, { k: 'affected' }]);
    } catch (e) { showError(e); }
  }

  document.querySelectorAll('.tab').forEach((tab) => tab.addEventListener('click', () => {
    document.querySelectorAll('.tab').forEach((t) => t.classList.toggle('active', t === tab));
    document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== tab.dataset.view; });
    if (tab.id === 'tab-dead') searchDead();
    if (tab.id === 'tab-delayed') searchDelayed();
    if (tab.id === 'tab-audit') refreshAudit();
  }));
  $('dl-filter').addEventListener('submit', (e) => { e.preventDefault(); searchDead(); });
  $('d-filter').addEventListener('submit', (e) => { e.preventDefault(); searchDelayed(); });
  $('dl-preview-replay').addEventListener('click', () =>
    preview('api/dead-letters/replay', deadFilter(), { onlyMatching: $('only-matching').checked }));
  $('dl-preview-purge').addEventListener('click', () => preview('api/dead-letters/purge', deadFilter(), {}));
  $('d-preview-cancel').addEventListener('click', () => preview('api/delayed/cancel', delayedFilter(), {}));
  $('confirm').addEventListener('click', confirmAction);
  $('cancel-preview').addEventListener('click', () => { $('preview').hidden = true; pendingAction = null; });

  refreshStatus();
  setInterval(refreshStatus, 2000);
})();
