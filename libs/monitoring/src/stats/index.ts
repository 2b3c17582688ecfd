export { pooledProportionZ, twoProportionZTest, type ProportionSample, type TwoProportionZTest } from './two-proportion-z-test';
