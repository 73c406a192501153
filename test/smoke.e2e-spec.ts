import { bootTestApp, type TestApp } from './harness/app';

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp();
});
afterAll(async () => t.close());

it('answers /health/ready', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
  expect(res.statusCode).toBe(200);
});
