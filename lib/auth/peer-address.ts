import http from 'node:http';
import { PEER_ADDRESS_HEADER } from './client-address';

// Next hands route handlers a Request without the socket, and fills X-Forwarded-For from the socket
// only when the client sent none (`??=`): a client talking to us directly can name any address. So
// every request of this process gets the socket's address in a header of our own before Next sees
// it, replacing whatever the client sent under that name.

const STAMPING = Symbol.for('ticks.stampPeerAddresses');

/** From now on, every request this process serves carries its socket's address (idempotent). */
export function stampPeerAddresses(): void {
  const proto = http.Server.prototype as http.Server & { [STAMPING]?: true };
  if (proto[STAMPING]) return;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' || event === 'checkContinue' || event === 'checkExpectation') {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_ADDRESS_HEADER] = req.socket?.remoteAddress ?? '';
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof proto.emit;
  proto[STAMPING] = true;
}
