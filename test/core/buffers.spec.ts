import { configureBuffers, outAppend, outReserve, outCommit, outDrop, outUsed, outSize } from "../../assembly/core/buffers";
import { StatusDone, ReasonBadState } from "../../assembly/core/status";

describe("core buffers", () => {
  it("carves buffers once and refuses a second configure", () => {
    expect(configureBuffers(1024, 2048, 512, 512)).toBe(StatusDone);
    expect(configureBuffers(1024, 2048, 512, 512)).toBe(ReasonBadState);
    expect(outSize).toBe(2048);
  });
  it("appends all or nothing and drops from the front", () => {
    const tmp = memory.data(8);
    store<u64>(tmp, 0x3837363534333231);
    expect(outAppend(tmp, 8)).toBe(true);
    expect(outUsed).toBe(8);
    outDrop(3);
    expect(outUsed).toBe(5);
    expect(outAppend(tmp, 4096)).toBe(false);
    expect(outUsed).toBe(5);
    const p = outReserve(1);
    expect(p).toBeGreaterThan(0);
    expect(outUsed).toBe(5); // reserved, not yet committed
    store<u8>(p, 0x41);
    outCommit(1);
    expect(outUsed).toBe(6);
    expect(outReserve(4096)).toBe(0);
    outDrop(100);
    expect(outUsed).toBe(0);
  });
});
