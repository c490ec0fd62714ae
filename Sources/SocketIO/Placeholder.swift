public enum SocketIOPlaceholder {}
