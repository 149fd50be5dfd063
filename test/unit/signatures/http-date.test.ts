import { httpDate } from '../../../services/signatures/http-date';

describe('httpDate', () => {
  it('is the IMF-fixdate of the second asked for, whichever came before', () => {
    const times = [Date.UTC(1994, 10, 6, 8, 49, 37), Date.UTC(1994, 10, 6, 8, 49, 37, 900), Date.UTC(1994, 10, 6, 8, 49, 38), Date.UTC(2026, 11, 1, 0, 0, 0), Date.UTC(1994, 10, 6, 8, 49, 37, 1)];
    for (const t of times) expect(httpDate(new Date(t))).toBe(new Date(t).toUTCString());
    expect(httpDate(new Date(times[0]!))).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });
});
