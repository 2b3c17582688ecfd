import { AlertEpisodes } from './alert-episodes';

describe('AlertEpisodes', () => {
  it('opens once, repeats only after the re-alert interval with the same since, and reopens after clearing', () => {
    const episodes = new AlertEpisodes(() => 60_000);
    // ({ rule, firing, cleared, event time }, wall time)
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 1_000 }, 0)).toEqual({ action: 'open', since: 1_000, alert: 1 });
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 2_000 }, 59_999)).toEqual({ action: 'none' });
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 3_000 }, 60_000)).toEqual({ action: 'repeat', since: 1_000, alert: 2 });
    // Neither firing nor cleared (inside the hysteresis band): the episode stays open, silent.
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: false, cleared: false, at: 4_000 }, 200_000)).toEqual({ action: 'none' });
    expect(episodes.isOpen('accuracy_drop')).toBe(true);
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: false, cleared: true, at: 5_000 }, 200_001)).toEqual({ action: 'none' });
    expect(episodes.isOpen('accuracy_drop')).toBe(false);
    expect(episodes.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 6_000 }, 200_002)).toEqual({ action: 'open', since: 6_000, alert: 1 });
    // Rules are independent, and the state survives a JSON round trip.
    const copy = new AlertEpisodes(() => 60_000);
    copy.restore(JSON.parse(JSON.stringify(episodes.toJSON())));
    expect(copy.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 7_000 }, 200_003)).toEqual({ action: 'none' });
    expect(copy.evaluate({ rule: 'dataset_drift', firing: true, cleared: false, at: 7_000 }, 200_003)).toEqual({ action: 'open', since: 7_000, alert: 1 });
    // The count of alerts survives too: the next repeat is the episode's second alert.
    expect(copy.evaluate({ rule: 'accuracy_drop', firing: true, cleared: false, at: 8_000 }, 260_002)).toEqual({ action: 'repeat', since: 6_000, alert: 2 });
  });
});
