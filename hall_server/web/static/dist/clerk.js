//# sourceMappingURL=clerk.js.map
