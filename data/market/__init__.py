"""The market room: price sources (one module per provider: lbma, trm, bcrp, yahoo over http_source),
price files (importers, plausibility, cleaning), the series and their statistics, rate kinds and source
precedence, the market snapshot and the demo prices. Reads and writes go through data.store."""
