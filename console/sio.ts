// The socket.io-client chunk (sio.<hash>.js), fetched right after sign-in: the sign-in page never needs it.
export { io } from 'socket.io-client';
