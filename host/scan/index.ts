export * from "./types.js";
export { fileSource, type FileSourceOptions } from "./file.js";
export { streamSource, type StreamSourceOptions } from "./stream.js";
export { simulatedScan, minimumSize, defaultScanName, type SimulatedScanOptions } from "./simulated-pdf.js";
export { simulatedTiff, minimumTiffSize, type SimulatedTiffOptions } from "./simulated-tiff.js";
