import { describe, expect, it } from 'vitest';
import { asResultRef, ResultRef, resultOf, ResultsRef, storeCall, toWire, userCall } from '../../src/dataflow.js';
import { formatDescription } from '../../src/py/repr.js';
import { isTuple, py } from '../../src/py/values.js';

describe('dataflow markers', () => {
  it('stores a call with references as rqts_dataflow.call(target, …) with marker dicts, and reads it back', () => {
    const kwargs = { k: { list: [resultOf('b'), 1] }, plain: 2 };
    const stored = storeCall('mylib.add', [resultOf('a'), py.tuple(resultOf('b'), 'x')], kwargs);
    expect(stored.funcName).toBe('rqts_dataflow.call');
    expect(stored.args[0]).toBe('mylib.add');
    expect(stored.args[1]).toEqual({ __rqts_result_of__: 'a' });
    expect(isTuple(stored.args[2])).toBe(true);
    expect(stored.kwargs).toEqual({ k: { list: [{ __rqts_result_of__: 'b' }, 1] }, plain: 2 });
    expect(stored.referencedIds).toEqual(['a', 'b']);
    expect(kwargs.k.list[0]).toBeInstanceOf(ResultRef); // the caller's objects are not changed

    const back = userCall({ funcName: stored.funcName, instance: null, args: stored.args, kwargs: stored.kwargs });
    expect(back.funcName).toBe('mylib.add');
    expect((back.args[0] as ResultRef).jobId).toBe('a');
    expect(isTuple(back.args[1])).toBe(true);
    expect(((back.kwargs.k as { list: unknown[] }).list[0] as ResultRef).jobId).toBe('b');
  });

  it('leaves calls without references untouched (same objects)', () => {
    const args = [1, [2, { x: 3 }]];
    const kwargs = { y: [4] };
    const stored = storeCall('mylib.echo', args, kwargs);
    expect(stored.funcName).toBe('mylib.echo');
    expect(stored.args).toBe(args);
    expect(stored.kwargs).toBe(kwargs);
  });

  it('list markers for reduce, and markers returned by tasks', () => {
    const stored = storeCall('mylib.total', [new ResultsRef(['a', 'b'], false), new ResultsRef(['c'], true)], {});
    expect(stored.args.slice(1)).toEqual([{ __rqts_results_of__: ['a', 'b'] }, { __rqts_chained_results_of__: ['c'] }]);
    expect(toWire(resultOf('z'))).toEqual({ __rqts_result_of__: 'z' });
    expect(asResultRef({ __rqts_result_of__: 'z' })?.jobId).toBe('z');
    expect(asResultRef(new Map([['__rqts_result_of__', 'z']]))?.jobId).toBe('z');
    // Only a dict whose single key is the marker, holding a string, is a marker.
    expect(asResultRef({ __rqts_result_of__: 'z', other: 1 })).toBeNull();
    expect(asResultRef({ __rqts_result_of__: 5 })).toBeNull();
    expect(asResultRef('z')).toBeNull();
  });

  it('describes references as the real call shows them', () => {
    expect(formatDescription('mylib.add', [resultOf('1f3'), 2], { k: resultOf('9ab') })).toBe('mylib.add(<result of 1f3>, 2, k=<result of 9ab>)');
  });

  it('survives cycles (the serializer reports them) and rejects references as set members or dict keys', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(storeCall('f', [cyclic], {}).args[0]).toBe(cyclic);
    expect(() => storeCall('f', [new Set([resultOf('a')])], {})).toThrow(/args\[0\]\.values\(\)\[0\]/);
    expect(() => storeCall('f', [], { m: new Map([[resultOf('a'), 1]]) })).toThrow(/kwargs\.m\.keys\(\)\[0\]/);
  });
});
