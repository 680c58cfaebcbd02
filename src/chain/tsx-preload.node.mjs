// Installs tsx's TypeScript loader in a Node worker thread (see thread-boot.node.mjs).
import { register } from "tsx/esm/api";

register();
