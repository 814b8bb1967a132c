export { rawCall, type RawAnswer } from './http.js';
export { startReceiver, type Receiver, type Delivered } from './receiver.js';
