// pcmfs wear levelling (issue 6: "log and data allocation rotate"; Qureshi et al., Start-Gap, MICRO 2009,
// for why spreading writes matters: endurance ~10^8 per cell): the same churn with rotating allocation
// (blocks, inode slots, journal slots) has a lower maximum of writes per line than lowest-first
// allocation, with the same mean; `vfsim pcm wear` prints both and a chart.

import t from 'tap';
import { wearWorkload, wearChart } from '../../src/cli/pcm.js';

t.test('wear levelling lowers the hottest line, not the total (the same writes, spread)', async (t) => {
  const on = wearWorkload(true, 1500, 3), off = wearWorkload(false, 1500, 3);
  t.ok(on.report.lines.max * 3 < off.report.lines.max, `max line writes: levelled ${on.report.lines.max}, plain ${off.report.lines.max}`);
  const ratio = on.report.lines.mean / off.report.lines.mean;
  t.ok(ratio > 0.9 && ratio < 1.1, `mean about equal (${on.report.lines.mean.toFixed(2)} vs ${off.report.lines.mean.toFixed(2)})`);
  t.ok(on.report.lines.histogram[0]! < off.report.lines.histogram[0]!, 'more of the media is used');
  t.ok(on.virtualNs > 0, 'virtual time charged through the device');
  const total = (h: readonly number[]): number => h.reduce((a, b) => a + b, 0);
  t.equal(total(on.report.lines.histogram), on.report.lines.cells, 'the histogram counts every line');
  const chart = wearChart(on, off);
  t.match(chart, /never/);
  t.ok(chart.split('\n').length > 5, 'a chart with a row per bucket');
});
