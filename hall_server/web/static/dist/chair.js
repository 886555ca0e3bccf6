//# sourceMappingURL=chair.js.map
