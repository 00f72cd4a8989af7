// Scores orders by how typical they are: an order close (in amount and in age) to many
// high-scoring orders scores high. Iterated like a PageRank over a dense similarity kernel, so
// the cost is passes × n² kernel evaluations: GET /report's CPU time, by design.
//
// Written for speed the way a numeric kernel is: typed arrays in and out, plain float arithmetic
// in the loops, nothing allocated and no function called inside them. Almost all of the
// endpoint's CPU time is self time of this function, on the line marked HOT below.

/**
 * @param amounts order amounts, scaled (about 0 … 4)
 * @param ages    order ages, scaled (about 0 … 4)
 * @param scores  output, same length: scores summing to 1
 * @param passes  number of refinement passes (each is amounts.length² kernel evaluations)
 * @returns the last pass's total change (L1), a convergence measure
 */
export function scoreOrders(amounts: Float64Array, ages: Float64Array, scores: Float64Array, passes: number): number {
  const n = amounts.length;
  const next = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = 1 / n;
  let change = 0;
  for (let pass = 0; pass < passes; pass++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const amount = amounts[i];
      const age = ages[i];
      let support = 0;
      for (let j = 0; j < n; j++) {
        const da = amount - amounts[j];
        const dt = age - ages[j];
        support += scores[j] / (1 + da * da + dt * dt); // HOT: the demo's CPU hot spot
      }
      next[i] = support;
      total += support;
    }
    change = 0;
    for (let i = 0; i < n; i++) {
      const score = next[i] / total;
      change += score > scores[i] ? score - scores[i] : scores[i] - score;
      scores[i] = score;
    }
  }
  return change;
}
