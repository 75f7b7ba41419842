import { maxPartBytes, splitPages, encodedSize } from "../../../assembly/mime/split";
import { ReasonNoFit } from "../../../assembly/mime/consts";

const ENDS = memory.data(64);
const CUTS = memory.data(64);

describe("size and split arithmetic", () => {
  it("largest part that fits, base64 and binary", () => {
    const n = maxPartBytes(10000, 1000, false);
    expect(encodedSize(n, false)).toBeLessThanOrEqual(9000);
    expect(encodedSize(n + 1, false)).toBeGreaterThan(9000);
    expect(maxPartBytes(10000, 1000, true)).toBe(9000);
    expect(maxPartBytes(1000, 1000, false)).toBe(0);
  });
  it("greedy cuts on page boundaries", () => {
    const e: u32[] = [100, 250, 300, 500, 750];
    for (let i = 0; i < e.length; i++) store<u32>(ENDS + (<usize>i << 2), e[i]);
    expect(splitPages(ENDS, 5, 300, CUTS)).toBe(3);
    expect(load<u32>(CUTS)).toBe(300);
    expect(load<u32>(CUTS, 4)).toBe(500);
    expect(load<u32>(CUTS, 8)).toBe(750);
    expect(splitPages(ENDS, 5, 200, CUTS)).toBe(-ReasonNoFit);
  });
});
