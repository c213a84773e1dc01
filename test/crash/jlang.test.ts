// ACE's j-lang read into the explorer's workloads, as CrashMonkey's adapter (cmAdapter.py) means it and
// the data README describes it: names are test-root paths without '/', `write` is pwrite in 4 KiB pieces
// ending on 4 KiB offsets, `mark` (Chipmunk) names the call under test; the archives are read in place
// (fzstd, a small ustar reader) and hold the counts the README gives.

import t from 'tap';
import {
  jlangPath, parseJlang, splitRecords, chipmunkWorkloads, aceGeneratedWorkloads, crashmonkeyStoredWorkloads, parseWorkloadJson,
  type JlangSkips,
} from '../../src/testing/crash/index.js';

const D = '/work/shared/data/crash/';

t.test('names: test is the root, Afoo is A/foo, ACbar is A/C/bar; others are EINVAL', async (t) => {
  t.equal(jlangPath('test'), '');
  t.equal(jlangPath('foo'), 'foo');
  t.equal(jlangPath('Afoo'), 'A/foo');
  t.equal(jlangPath('AC'), 'A/C');
  t.equal(jlangPath('ACbar'), 'A/C/bar');
  t.equal(jlangPath('B'), 'B');
  t.throws(() => jlangPath('Zfoo'), { code: 'EINVAL' });
});

t.test('operations: write pieces, dwrite reopen, mark, persistence points and skips', async (t) => {
  const skips: JlangSkips = {};
  const w = parseJlang(`# define\ntest\n# run\nmkdir A 0777\nopen Afoo O_RDWR|O_CREAT 0777\nwrite Afoo 30768 5000\nfsetxattr Afoo\nfsync Afoo\ncheckpoint 0\nmark\nrename Afoo bar\nnone\ncheckpoint 1\nclose Afoo\n`, 'x', skips);
  t.same(w.calls.slice(2, 4), [
    { op: 'write', path: 'A/foo', off: 30768, len: 2000, data: 'write' },
    { op: 'write', path: 'A/foo', off: 32768, len: 3000, data: 'write' },
  ], 'a partial piece up to the 4 KiB boundary, then the rest');
  t.same(w.calls[4], { op: 'fsync', path: 'A/foo' });
  t.same(w.calls[5], { op: 'rename', from: 'A/foo', to: 'bar' });
  t.equal(w.from, 5, 'mark: the call under test');
  t.equal(w.to, 6);
  t.same(skips, { fsetxattr: 1 }, 'extended attributes are counted, not run');
  t.throws(() => parseJlang('# run\nfrobnicate foo\n', 'bad'), { code: 'EINVAL' }, 'an unknown line is EINVAL');
});

t.test('the archives hold what the README says: 435 generated seq-1, 328 stored, Chipmunk 56 + 3136', async (t) => {
  const gen = aceGeneratedWorkloads(D + 'crashmonkey-ace-seq1-generated.jlang.zst', 'ace');
  t.equal(gen.length, 435);
  t.equal(crashmonkeyStoredWorkloads(D + 'crashmonkey-ace-seq1-stored.tar.zst').length, 328);
  const c1 = chipmunkWorkloads(D + 'chipmunk-ace-pm-seq1-seq2.tar.zst', 1);
  const c2 = chipmunkWorkloads(D + 'chipmunk-ace-pm-seq1-seq2.tar.zst', 2);
  t.equal(c1.length, 56);
  t.equal(c2.length, 3136);
  t.ok([...c1, ...c2].every((w) => w.from !== undefined), 'every Chipmunk workload marks its call under test');
  t.equal(splitRecords('### j-lang1\n# run\nsync\n\n### j-lang2\n# run\nsync\n').length, 2);
});

t.test('JSON workload files: a list of calls or of workloads; anything else is EINVAL', async (t) => {
  t.same(parseWorkloadJson('[{"op":"mkdir","path":"A"}]', 'f.json'), [{ name: 'f.json', calls: [{ op: 'mkdir', path: 'A' }] }]);
  t.equal(parseWorkloadJson('[{"name":"w","calls":[{"op":"sync"}],"from":0}]', 'f')[0]!.name, 'w');
  t.throws(() => parseWorkloadJson('{"op":"mkdir"}', 'f'), { code: 'EINVAL' });
  t.throws(() => parseWorkloadJson('[{"op":"format-disk"}]', 'f'), { code: 'EINVAL' });
  t.throws(() => parseWorkloadJson('[{"op":"write","path":"a","off":"x","len":1}]', 'f'), { code: 'EINVAL' });
  t.throws(() => parseWorkloadJson('not json', 'f'), { code: 'EINVAL' });
});
