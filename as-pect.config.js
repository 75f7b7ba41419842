// as-pect runs the core's specs (test/core/**/*.spec.ts) with the incremental runtime and RTRACE,
// so a spec that leaks or double-frees fails even though the release core uses the stub runtime.
export default {
  entries: ["test/core/**/*.spec.ts"],
  include: ["test/core/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
