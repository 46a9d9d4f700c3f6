export { assertDistribution, type DiscreteOptions, jsDivergence, klDivergence } from './discrete.js';
