'use strict';
const fs = require('fs');
const path = require('path');

const sharedRoot = path.join(__dirname, '..', 'shared');

/** Reads one shared file by the name the client asked for. */
function readShared(name, callback) {
  fs.readFile(path.join(sharedRoot, name), callback);
}

/** Allocates the buffer an upload is read into. */
function uploadBuffer(size) {
  return new Buffer(size);
}

module.exports = { readShared, uploadBuffer };
