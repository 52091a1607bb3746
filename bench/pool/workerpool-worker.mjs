// workerpool needs its worker script to register the functions itself.
import workerpool from "workerpool";
import { medium, noop, small } from "./tasks.mjs";

workerpool.worker({ noop, small, medium });
