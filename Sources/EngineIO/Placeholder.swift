public enum EngineIOPlaceholder {}
