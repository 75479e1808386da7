// The socket.io-client chunk (sio.<hash>.js): only what the widget uses of it.
export { io } from 'socket.io-client';
