// k6 load test of code generation (the seed documents' targets): ramps to 50 virtual users making
// PNG codes through POST /api/v1/codes; fails when P95 > 2 s or more than 1 % of requests fail.
// Run: k6 run -e BASE_URL=https://staging.example.com -e TOKEN=<API key> deploy/load/generate.js
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  stages: [
    { duration: '1m', target: 10 },
    { duration: '3m', target: 50 },
    { duration: '1m', target: 0 },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<2000'],
  },
};

const BASE_URL = __ENV.BASE_URL;
const headers = { 'content-type': 'application/json' };
if (__ENV.TOKEN) headers['x-api-key'] = __ENV.TOKEN;

export default function () {
  const body = JSON.stringify({
    data: `https://example.com/load/${__VU}/${__ITER}`,
    format: 'png',
    size: 512,
  });
  const res = http.post(`${BASE_URL}/api/v1/codes`, body, { headers });
  check(res, {
    'status 200': (r) => r.status === 200,
    'a PNG': (r) => r.headers['Content-Type'] === 'image/png',
  });
}
