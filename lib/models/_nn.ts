export * as nn from "../nn/mod.ts";
