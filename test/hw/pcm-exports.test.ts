import t from 'tap';

// A feature exists when it is reachable through the public API (PREAMBLE): the devices and their
// crash machinery are exported from `vfsim`.
t.test('the PCM and block devices are reachable from the package entry point', async (t) => {
  const api = await import('../../src/index.js');
  for (const name of ['PcmDevice', 'PcmCrashStates', 'PcmCrashReplayer', 'PcmTrace', 'PcmWear', 'CpuCache', 'SubsetCursor',
    'BlockDevice', 'BlockCrashStates', 'BlockCrashReplayer', 'BlockTrace', 'REQ_FUA', 'PCM_DEFAULT_BASE']) {
    t.ok(name in api, name);
  }
  const d = new api.PcmDevice({ bytes: 4096 });
  d.store64Big(0, 1n);
  t.equal(d.crash().count, 1);
  const b = new api.BlockDevice({ sectors: 8 });
  b.write(0, 1, new Uint8Array(512), 0, api.REQ_FUA);
  t.equal(b.crash().count, 0);
});
