export { huffmanCodeLengths, huffmanDecode, huffmanEncode } from './huffman.js';
