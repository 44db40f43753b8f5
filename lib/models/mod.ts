/**
 * Ready-made networks: AlexNet (course and paper versions) and LeNet.
 *
 * @module
 */
export {
  alexnet,
  type AlexNetOptions,
  alexnetPaper,
  type AlexNetPaperOptions,
  initPaper,
  initXavier,
} from "./alexnet.ts";
export { lenet } from "./lenet.ts";
