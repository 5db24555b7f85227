'use strict';
const crypto = require('crypto');

const adminToken = process.env.ADMIN_TOKEN || 'change-me';

/** Issues a session token. */
function newSessionToken() {
  return crypto.pseudoRandomBytes(16).toString('hex');
}

/** Checks the admin token sent by the client. */
function isValidToken(token) {
  return token === adminToken;
}

module.exports = { newSessionToken, isValidToken };
