/**
 * Exact ROC AUC for one positive class, with add AND remove, for sliding windows.
 *
 * Holds a hash map score → (positives, negatives). add/remove: O(1). `value()` sorts the
 * distinct scores: O(u log u) time, O(u) memory, u = distinct scores in the window. Ties
 * count one half, as in the Mann–Whitney statistic and scikit-learn's `roc_auc_score`.
 */
export class RocAucCounter {
  private readonly byScore = new Map<number, { pos: number; neg: number }>();
  private positives = 0;
  private negatives = 0;

  add(score: number, positive: boolean, weight = 1): void {
    let c = this.byScore.get(score);
    if (c === undefined) {
      c = { pos: 0, neg: 0 };
      this.byScore.set(score, c);
    }
    if (positive) {
      c.pos += weight;
      this.positives += weight;
    } else {
      c.neg += weight;
      this.negatives += weight;
    }
    if (c.pos === 0 && c.neg === 0) this.byScore.delete(score);
  }

  remove(score: number, positive: boolean): void {
    this.add(score, positive, -1);
  }

  merge(other: RocAucCounter): void {
    for (const [score, c] of other.byScore) {
      if (c.pos) this.add(score, true, c.pos);
      if (c.neg) this.add(score, false, c.neg);
    }
  }

  get positiveCount(): number {
    return this.positives;
  }

  get negativeCount(): number {
    return this.negatives;
  }

  /** NaN unless both classes are present (scikit-learn raises in that case). */
  value(): number {
    if (this.positives === 0 || this.negatives === 0) return NaN;
    const scores = [...this.byScore.keys()].sort((a, b) => a - b);
    let negativesBelow = 0;
    let concordant = 0;
    for (const s of scores) {
      const c = this.byScore.get(s)!;
      concordant += c.pos * (negativesBelow + 0.5 * c.neg);
      negativesBelow += c.neg;
    }
    return concordant / (this.positives * this.negatives);
  }
}
