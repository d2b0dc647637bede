// Draws the report's charts from REPORT (the Java Report record as JSON) with Chart.js.
(function () {
  const errors = [];
  window.addEventListener('error', (e) => errors.push(String(e.message)));
  const fmt = (v, d) => (typeof v === 'number' && isFinite(v) ? v.toFixed(d) : String(v));
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const charts = [];
  const chart = (canvas, config) => {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    charts.push(new Chart(canvas, config));
  };
  try {
    for (const n of REPORT.notes) document.getElementById('notes').appendChild(el('p', n));
    const body = document.querySelector('#summary tbody');
    for (const r of REPORT.summary) {
      const tr = el('tr');
      tr.appendChild(el('th', r.label));
      const a = el('td', r.fp32); a.className = 'num'; tr.appendChild(a);
      const b = el('td', r.int8); b.className = 'num'; tr.appendChild(b);
      body.appendChild(tr);
    }
    const engines = [...new Set(REPORT.latency.map((t) => t.engine))];
    const models = [...new Set(REPORT.latency.map((t) => t.model))];
    const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];
    chart(document.getElementById('latency'), {
      type: 'bar',
      data: {
        labels: engines,
        datasets: models.map((m, i) => ({
          label: m,
          backgroundColor: palette[i % palette.length],
          data: engines.map((e) => {
            const t = REPORT.latency.find((x) => x.engine === e && x.model === m);
            return t ? t.medianMs : null;
          }),
        })),
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
    });
    chart(document.getElementById('accuracy'), {
      type: 'bar',
      data: {
        labels: REPORT.accuracy.map((a) => a.metric),
        datasets: [
          { label: 'FP32', backgroundColor: palette[0], data: REPORT.accuracy.map((a) => a.fp32) },
          { label: 'INT8', backgroundColor: palette[1], data: REPORT.accuracy.map((a) => a.int8) },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    });
    const layers = REPORT.layers.slice(0, 30);
    document.getElementById('layers-box').style.height = Math.max(240, 22 * layers.length + 80) + 'px';
    const finite = (v) => (typeof v === 'number' && isFinite(v) ? v : null);
    chart(document.getElementById('layers'), {
      type: 'bar',
      data: {
        labels: layers.map((l) => l.tensor + ' (' + l.producer + ')'),
        datasets: [
          { label: 'SQNR dB', backgroundColor: palette[0], data: layers.map((l) => finite(l.sqnrDb)) },
          { label: 'dB lost here', backgroundColor: palette[3], data: layers.map((l) => finite(l.introducedDb)) },
        ],
      },
      options: { indexAxis: 'y', scales: { x: { title: { display: true, text: 'dB' } } } },
    });
    const box = document.getElementById('histograms');
    REPORT.histograms.forEach((h, i) => {
      const div = el('div');
      div.appendChild(el('h3', h.tensor));
      div.appendChild(el('p', 'observed [' + fmt(h.min, 3) + ', ' + fmt(h.max, 3) + '], quantized range ['
        + fmt(h.lo, 3) + ', ' + fmt(h.hi, 3) + ']'));
      const c = el('div'); c.className = 'chart';
      const canvas = el('canvas'); canvas.id = 'histogram-' + i;
      c.appendChild(canvas); div.appendChild(c); box.appendChild(div);
      chart(canvas, {
        type: 'bar',
        data: {
          labels: h.centers.map((x) => fmt(x, 3)),
          datasets: [{
            label: 'count',
            data: h.counts.map((n) => (n > 0 ? n : null)),
            backgroundColor: h.centers.map((x) => (x < h.lo || x > h.hi ? '#e15759' : '#4e79a7')),
            barPercentage: 1.0, categoryPercentage: 1.0,
          }],
        },
        options: { plugins: { legend: { display: false } }, scales: { y: { type: 'logarithmic' } } },
      });
    });
  } catch (e) {
    errors.push(String(e && e.stack || e));
  }
  document.getElementById('errors').textContent = errors.join('\n');
  document.body.dataset.charts = String(charts.length);
  document.body.dataset.errors = String(errors.length);
})();
