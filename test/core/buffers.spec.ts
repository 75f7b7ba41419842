import { configureBuffers, outAppend, outByte, outDrop, outUsed, outSize, ConfigureOk, ConfigureAlready } from "../../assembly/core/buffers";

describe("core buffers", () => {
  it("carves buffers once and refuses a second configure", () => {
    expect(configureBuffers(1024, 2048, 512, 512)).toBe(ConfigureOk);
    expect(configureBuffers(1024, 2048, 512, 512)).toBe(ConfigureAlready);
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
    expect(outByte(0x41)).toBe(true);
    outDrop(100);
    expect(outUsed).toBe(0);
  });
});
