//# sourceMappingURL=display.js.map
