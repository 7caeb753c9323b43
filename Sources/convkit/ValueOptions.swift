// ValueOptions: the one declaration of an option whose value is read as typed, even when it
// starts with '-', so that `--epochs -1` meets the option's own check and message (exit 2).

import ArgumentParser

extension Option where Value: ExpressibleByArgument {
    /// `--name VALUE` (`name` defaults to the property's name), with a default: `valueHelp` is
    /// its help, `valueName` what help calls the value (default: the property's name).
    init(
        wrappedValue: Value, name: NameSpecification = .long, valueHelp: String,
        valueName: String? = nil
    ) {
        self.init(
            wrappedValue: wrappedValue, name: name, parsing: .unconditional,
            help: ArgumentHelp(valueHelp, valueName: valueName))
    }
}

extension Option {
    /// `--name VALUE` (`name` defaults to the property's name), nil when not given:
    /// `valueHelp` is its help, `valueName` what help calls the value.
    init<Wrapped: ExpressibleByArgument>(
        name: NameSpecification = .long, valueHelp: String, valueName: String? = nil
    ) where Value == Wrapped? {
        self.init(
            name: name, parsing: .unconditional,
            help: ArgumentHelp(valueHelp, valueName: valueName))
    }
}
