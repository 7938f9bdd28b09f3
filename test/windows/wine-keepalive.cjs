// Loaded into Windows' node.exe under Wine only, by test/windows/run.sh (NODE_OPTIONS=--require …).
// Wine 8's Winsock lacks a TCP keep-alive socket option that libuv sets when keep-alive is asked for
// before the socket is connected (undici, under fetch, asks for it on every new connection): the
// connect then fails with "connect UNKNOWN". On Windows itself the option exists. Here keep-alive
// asked before the connection is made is dropped; loopback connections in a test lose nothing by it.
'use strict';
const net = require('node:net');
const setKeepAlive = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function (enable, initialDelay) {
  if (this.connecting || !this._handle) return this;
  return setKeepAlive.call(this, enable, initialDelay);
};
