import { LabelFlowControl } from './label-flow-control';

const options = { pauseAt: 100, resumeAt: 20, idleMs: 1000 };

describe('LabelFlowControl', () => {
  it('pauses a partition when its waiting labels reach pauseAt, once', () => {
    const flow = new LabelFlowControl(options);
    flow.addWaiting(3, 99);
    expect(flow.shouldPause(3, 0)).toBe(false);
    flow.addWaiting(3, 1); // 100 = pauseAt
    expect(flow.shouldPause(3, 0)).toBe(true);
    expect(flow.isPaused(3)).toBe(true);
    flow.addWaiting(3, 1);
    expect(flow.shouldPause(3, 0)).toBe(false); // already paused
    expect(flow.isPaused(0)).toBe(false); // other partitions untouched
  });

  it('resumes when predictions drained the waiting labels to resumeAt', () => {
    const flow = new LabelFlowControl(options);
    flow.setWaiting(1, 150);
    flow.onPredictions(1, 5_000, 0);
    expect(flow.shouldPause(1, 0)).toBe(true);
    flow.onPredictions(1, 4_000, 100);
    flow.addWaiting(1, -129); // 21 > resumeAt 20
    expect(flow.toResume(200)).toEqual([]);
    flow.addWaiting(1, -1); // 20 = resumeAt
    expect(flow.toResume(300)).toEqual([1]);
    expect(flow.isPaused(1)).toBe(false);
  });

  it('resumes when the predictions reached their high watermark, and does not pause again until they lag', () => {
    const flow = new LabelFlowControl(options);
    flow.setWaiting(2, 500);
    expect(flow.shouldPause(2, 0)).toBe(true);
    flow.onPredictions(2, 0, 10); // lag 0: the predictions are at their end
    expect(flow.toResume(10)).toEqual([2]);
    // Labels whose predictions are not in the topic: no pause, the join's expiry decides.
    flow.addWaiting(2, 1_000);
    expect(flow.shouldPause(2, 20)).toBe(false);
    flow.onPredictions(2, 7, 30);
    expect(flow.shouldPause(2, 30)).toBe(true);
  });

  it('cannot deadlock: a paused partition whose predictions never come resumes after idleMs', () => {
    const flow = new LabelFlowControl(options);
    flow.setWaiting(4, 100);
    // No predictions batch at all (empty partition): assumed behind, so the labels pause…
    expect(flow.shouldPause(4, 5_000)).toBe(true);
    expect(flow.toResume(5_999)).toEqual([]); // 999 ms < idleMs
    expect(flow.toResume(6_000)).toEqual([4]); // …and resume idleMs (1000) after the pause
    expect(flow.shouldPause(4, 6_001)).toBe(false);
  });

  it('measures idleness from the latest predictions batch', () => {
    const flow = new LabelFlowControl(options);
    flow.setWaiting(0, 100);
    flow.onPredictions(0, 50, 0);
    expect(flow.shouldPause(0, 0)).toBe(true);
    flow.onPredictions(0, 40, 900);
    expect(flow.toResume(1_500)).toEqual([]); // 600 ms since the last batch
    expect(flow.toResume(1_900)).toEqual([0]); // 1000 ms since it
  });

  it('forgets revoked partitions and names the paused ones', () => {
    const flow = new LabelFlowControl(options);
    flow.setWaiting(1, 100);
    flow.setWaiting(2, 100);
    flow.setWaiting(3, 5);
    expect(flow.shouldPause(1, 0)).toBe(true);
    expect(flow.shouldPause(2, 0)).toBe(true);
    expect(flow.forget(new Set([2]))).toEqual([1]);
    expect(flow.waiting(1)).toBe(0);
    expect(flow.waiting(3)).toBe(0);
    expect(flow.isPaused(2)).toBe(true);
  });

  it('rejects thresholds that could never resume', () => {
    expect(() => new LabelFlowControl({ ...options, resumeAt: 100 })).toThrow(/resumeAt/);
    expect(() => new LabelFlowControl({ ...options, pauseAt: 0 })).toThrow(/pauseAt/);
    expect(() => new LabelFlowControl({ ...options, idleMs: 0 })).toThrow(/idleMs/);
  });
});
