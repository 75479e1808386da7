// Fits the retrieval confidence (search.ts CALIBRATION): a logistic regression of "the top article is the
// right one" on the retrieval features, over the training split only (FAQ questions, plus questions the
// knowledge base cannot answer as negatives). Plain batch gradient descent with a little L2: a handful of
// features and a few hundred samples need nothing more. The table shows, per threshold, how many questions
// would be answered and how often the answer would be right, to pick ANSWER_AT.
import { confidenceOf, type RetrievalFeatures } from '../../server/services/assistant/search.ts';

export interface Sample {
  features: RetrievalFeatures;
  correct: boolean;
}

export interface Fit {
  bias: number;
  coverage: number;
  phrasing: number;
  margin: number;
  novelty: number;
  /** With the current CALIBRATION (not the fit): answered and correct at each threshold. */
  table: { threshold: number; answered: number; correct: number }[];
}

export function calibrate(samples: Sample[], iterations = 20_000, rate = 0.5, l2 = 0.001): Fit {
  const w = [0, 0, 0, 0, 0];
  const x = samples.map((s) => [1, s.features.coverage, s.features.phrasing, s.features.margin, s.features.novelty]);
  const y = samples.map((s) => (s.correct ? 1 : 0));
  for (let it = 0; it < iterations; it++) {
    const grad = [0, 0, 0, 0, 0];
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const z = xi.reduce((acc, v, j) => acc + v * w[j]!, 0);
      const err = 1 / (1 + Math.exp(-z)) - y[i]!;
      for (let j = 0; j < 5; j++) grad[j]! += err * xi[j]!;
    }
    for (let j = 0; j < 5; j++) w[j]! -= rate * (grad[j]! / x.length + (j ? l2 * w[j]! : 0));
  }
  const table = [0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8].map((threshold) => {
    const answered = samples.filter((s) => confidenceOf(s.features) >= threshold);
    return { threshold, answered: answered.length, correct: answered.filter((s) => s.correct).length };
  });
  return { bias: w[0]!, coverage: w[1]!, phrasing: w[2]!, margin: w[3]!, novelty: w[4]!, table };
}
